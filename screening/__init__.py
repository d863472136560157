"""screening: restricted-party screening of vendor and customer spreadsheets.

>>> from screening import Screener
>>> result = Screener.default().check("Hikivision")
>>> result.status, result.entity_id
('match', 'hikvision')
"""

__version__ = "0.1.0"

from screening.entities import Entity, EntityList, Source
from screening.errors import ScreeningError
from screening.matching import Alert, NameResult, Screener, Thresholds
from screening.report import Report, RowResult, screen_file
from screening.report_files import screen_to_file, write_report

__all__ = [
    "Alert",
    "Entity",
    "EntityList",
    "NameResult",
    "Report",
    "RowResult",
    "Screener",
    "ScreeningError",
    "Source",
    "Thresholds",
    "__version__",
    "screen_file",
    "screen_to_file",
    "write_report",
]
