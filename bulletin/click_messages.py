"""Click's own messages, listed so that ``pybabel extract`` puts them in our
catalog: ``i18n.localise_click`` makes Click look them up there.

Messages Click chooses with ``ngettext`` are listed by their singular; the
catalog holds them as plural entries (Vietnamese has one form). The words
"file", "directory" and "path" must stay out of the catalog: Click translates
them once, when a ``click.Path`` is made, and our metavars look up their
upper-case forms (``PATH``) when shown (``bulletin.cli.Option``).
"""

from bulletin.i18n import N_

CLICK_MESSAGES = (
    # Help pages.
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Positional arguments"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("(dynamic)"),
    # The usage line and the metavars of our options and arguments.
    N_("[OPTIONS]"),
    N_("COMMAND [ARGS]..."),
    N_("TEXT"),
    N_("INTEGER"),
    N_("FLOAT"),
    N_("PATH"),
    N_("FILE"),
    N_("DIRECTORY"),
    N_("INTEGER RANGE"),
    N_("FLOAT RANGE"),
    N_("BOOLEAN"),
    N_("FILENAME"),
    N_("FILES"),  # bulletin read FILES...
    # Errors.
    N_("Try '{command} {option}' for help."),
    N_("No such command {name!r}."),
    N_("No such option {name!r}."),
    N_("Did you mean {possibility}?"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"),
    N_("Missing command."),
    N_("Option {name!r} does not take a value."),
    N_("Option {name!r} requires an argument."),
    N_("Argument {name!r} takes {nargs} values."),
    N_("Got unexpected extra argument ({args})"),
    N_("Takes {nargs} values but 1 was given."),
    N_("{value!r} is not {choice}."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid boolean. Recognized values: {states}"),
    N_("{value!r} does not match the format {format}."),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."),
    N_("{name} {filename!r} is not executable."),
    N_("Could not open file {filename!r}: {message}"),
    N_("unknown error"),
    N_("Aborted!"),
    # Prompts.
    N_("Repeat for confirmation"),
    N_("Error: The two entered values do not match."),
    N_("Error: invalid input"),
    N_("Choose from:\n\t{choices}"),
    N_("Do you want to continue?"),
    N_("Confirm the action without prompting."),
    N_("Press any key to continue..."),
)
