class DomainError(Exception):
    """A business rule refused an operation. The message is French and meant for the user.

    `field` names the offending field (or column) when there is one; `rule` the rule of DESIGN §3 (R1…R14).
    """

    def __init__(self, message: str, *, field: str | None = None, rule: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.rule = rule
