"""The one exception the library raises for bad input."""


class ScreeningError(Exception):
    """Input the tool cannot screen: an unreadable file, a missing column, a bad list.

    The message is one line that says what is wrong and what to do; the command
    line prints it and exits with status 2.
    """
