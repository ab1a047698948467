"""A why-line's text, formatted when the why log is read rather than when it is written.

The executive writes a line every week, and formatting its numbers, dates and names costs
several microseconds: about 6% of a run, for a log that batch runs never read. A ``Line`` keeps
its template and the week's values (never the model, whose state moves on), so its text is the
same whenever it is read (``RelocationModel.why``).
"""


class Line:
    """``template.format(*values)``, when it is asked for as text (``str``).

    A Line may be a value of another Line: ``str.format`` formats it by its text.

    Args:
        template: A ``str.format`` template.
        *values: Its values, as they are this week.
    """

    __slots__ = ("template", "values")

    def __init__(self, template: str, *values):
        self.template = template
        self.values = values

    def __str__(self) -> str:
        return self.template.format(*self.values)
