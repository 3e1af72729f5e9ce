"""Why a job run could not be set up: the run becomes FAILED with this message."""


class RunSetupError(Exception):
    """A job parameter or artifact makes the run impossible; the message names it and the fix."""
