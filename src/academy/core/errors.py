"""The one exception type the CLI turns into a readable one-line error."""


class AcademyError(Exception):
    """A problem the user can fix: the message names the file and the fix."""
