"""The error for an unknown registry name, shared by the landscape and optimizer registries."""


class UnknownNameError(KeyError):
    """An unknown landscape or optimizer name; the message lists the valid ones."""

    def __str__(self) -> str:  # KeyError would show the message quoted
        return str(self.args[0])


def unknown_name(kind: str, name, valid) -> UnknownNameError:
    return UnknownNameError(f"Unknown {kind} {name!r}; valid {kind}s are: {', '.join(valid)}")
