"""screening: restricted-party screening of vendor and customer spreadsheets.

>>> from screening import Screener
>>> result = Screener.default().check("Hikivision")
>>> result.status, result.entity_id
('match', 'hikvision')
"""

__version__ = "0.1.0"

from screening.compiled import use_sources_if_stale

use_sources_if_stale()  # before anything imports a compiled module

from screening.entities import Entity, EntityList, Source  # noqa: E402
from screening.errors import ScreeningError  # noqa: E402
from screening.matching import Screener, Thresholds  # noqa: E402
from screening.report import Report, RowResult, screen_file  # noqa: E402
from screening.report_files import screen_to_file, write_report  # noqa: E402
from screening.results import Alert, NameResult  # noqa: E402

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
