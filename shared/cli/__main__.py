"""`python -m antrean.shared.cli`: the `antrean` command."""
from antrean.shared.cli.main import main

main()
