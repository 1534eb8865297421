"""On a Dataset: indicators, harmonized series, quality, similarity, plots and fonts, inspect."""
