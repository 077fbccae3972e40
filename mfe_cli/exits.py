"""Exit codes and the usage error shared by every `mfe` command."""

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input or an unreachable service: printed, exit 2."""
