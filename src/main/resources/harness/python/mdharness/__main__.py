import sys

from mdharness.server import main

sys.exit(main(sys.argv[1:]))
