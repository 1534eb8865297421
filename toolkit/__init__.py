"""OGI annual reports (政府信息公开工作年度报告) -> exact, validated, tidy pandas data."""
from __future__ import annotations

__version__ = "0.1.0"

from .readers import ReadError  # noqa: E402 - modules below read __version__
from .report import Report, read_report  # noqa: E402
from .corpus import Dataset, read_corpus  # noqa: E402
from .store import load_dataset  # noqa: E402

__all__ = ["Dataset", "Report", "ReadError", "load_dataset", "read_corpus", "read_report", "__version__"]
