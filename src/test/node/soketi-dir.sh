#!/usr/bin/env bash
# Prints the cache directory install.sh fills (the test reads the same rule from SPILLWAY_SOKETI_DIR or this).
echo "${SPILLWAY_SOKETI_DIR:-${SPILLWAY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/spillway-tools}/soketi-1.6.1}"
