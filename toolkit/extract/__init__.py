"""RawDocument -> Report: identify, match, resolve, validate, repair, narrative, pre-2019,
status."""
