"""Every bound on what shequn reads or runs, in one place; an input beyond one is refused with a message.

They are far above what a real knowledge base or answers file needs (the built-in one's largest file
is 29 KB, its longest condition 256 characters, nested 6 deep, with 4 alternatives), and low enough
that no file, however it is written, makes shequn hang or exhaust memory.
"""

# files
MAX_FILE_BYTES = 2 * 1024 * 1024  # any YAML file or template; parsing costs far more memory than this
MAX_YAML_NODES = 100_000  # values of one YAML document, each alias counted as the values it stands for
MAX_YAML_DEPTH = 100  # lists and mappings inside each other
MAX_NUMBER_DIGITS = 30  # a number in a YAML file or in a condition

# the condition language
MAX_EXPRESSION_CHARS = 2_000  # one condition or expression
MAX_EXPRESSION_DEPTH = 40  # parentheses, operators and all/any/not inside each other
MAX_ALTERNATIVES = 64  # a condition written out as alternatives (the rule compiler's normal form)

# rendering a template or a finding text
MAX_RENDER_STEPS = 1_000_000  # loop turns, calls and look-ups
MAX_RENDER_SECONDS = 5.0
MAX_RENDER_CHARS = 1_000_000  # the output, and any one string or list made on the way
MAX_RENDER_NUMBER = 10_000  # range(), and a number given to a filter or method (a width, a count)
