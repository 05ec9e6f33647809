"""python -m kiosk --config FILE"""

import argparse
import sys

from .launch import main

parser = argparse.ArgumentParser(prog="python -m kiosk", description="the hallq self-service kiosk")
parser.add_argument("--config", required=True, help="the kiosk's TOML configuration file")
sys.exit(main(parser.parse_args().config))
