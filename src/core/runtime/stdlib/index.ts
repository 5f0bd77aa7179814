// Registers the native stdlib modules. os, random, subprocess and friends are deliberately absent:
// importing them yields opaque values, so traced code never touches the machine.

import './math';
import './typing';
import './collections';
import './functional';
import './misc';
import './dataclasses';
import './enum';
import './inspect';
import './argparse';
