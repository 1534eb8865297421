"""OGI annual reports (政府信息公开工作年度报告) -> exact, validated, tidy pandas data."""
from __future__ import annotations

from .readers import ReadError
from .report import Report, read_report

__version__ = "0.1.0"
__all__ = ["Report", "ReadError", "read_report", "__version__"]
