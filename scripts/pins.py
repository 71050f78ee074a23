#!/usr/bin/env python3
"""Read the toolchain pins from wasm-pack.toml (and versions from Cargo.lock) for the shell scripts.

    scripts/pins.py shell              shell assignments (PIN_*) for `eval`
    scripts/pins.py get SECTION.KEY    one value (lists joined by spaces)
    scripts/pins.py lock CRATE         the version of CRATE in Cargo.lock ("" if absent)

Paths are relative to the repository root (the parent of this script's folder).
"""

import shlex
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PINS_FILE = ROOT / "wasm-pack.toml"
LOCK_FILE = ROOT / "Cargo.lock"

# Every key the scripts rely on, as (section, key, shell variable).
REQUIRED = [
    ("toolchain", "target", "PIN_TARGET"),
    ("toolchain", "wasm-pack", "PIN_WASM_PACK"),
    ("toolchain", "wasm-bindgen-cli", "PIN_WASM_BINDGEN_CLI"),
    ("toolchain", "geckodriver", "PIN_GECKODRIVER"),
    ("toolchain", "binaryen", "PIN_BINARYEN"),
    ("toolchain", "eslint", "PIN_ESLINT"),
    ("toolchain", "eslint-js", "PIN_ESLINT_JS"),
    ("toolchain", "globals", "PIN_GLOBALS"),
    ("toolchain", "check-jsonschema", "PIN_CHECK_JSONSCHEMA"),
    ("debian", "packages", "PIN_DEBIAN_PACKAGES"),
    ("debian", "chromium", "PIN_CHROMIUM"),
    ("debian", "chromedriver", "PIN_CHROMEDRIVER"),
    ("build", "args", "PIN_BUILD_ARGS"),
    ("build", "out-dir", "PIN_OUT_DIR"),
    ("build", "target-features", "PIN_TARGET_FEATURES"),
]


def die(message: str) -> None:
    print(f"pins.py: {message}", file=sys.stderr)
    sys.exit(2)


def load_toml(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        die(f"{path} not found")
    except tomllib.TOMLDecodeError as e:
        die(f"{path} is not valid TOML: {e}")


def as_text(value) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def lookup(pins: dict, section: str, key: str):
    try:
        return pins[section][key]
    except KeyError:
        die(f"{PINS_FILE.name} has no [{section}] {key} = ...")


def lock_version(crate: str) -> str:
    lock = load_toml(LOCK_FILE)
    versions = sorted({p["version"] for p in lock.get("package", []) if p.get("name") == crate})
    if len(versions) > 1:
        die(f"Cargo.lock holds several versions of {crate}: {', '.join(versions)}")
    return versions[0] if versions else ""


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(argv) >= 2 else 2)
    command = argv[1]
    if command == "shell" and len(argv) == 2:
        pins = load_toml(PINS_FILE)
        for section, key, var in REQUIRED:
            print(f"{var}={shlex.quote(as_text(lookup(pins, section, key)))}")
    elif command == "get" and len(argv) == 3:
        section, _, key = argv[2].partition(".")
        if not key:
            die(f"expected SECTION.KEY, got {argv[2]!r}")
        print(as_text(lookup(load_toml(PINS_FILE), section, key)))
    elif command == "lock" and len(argv) == 3:
        print(lock_version(argv[2]))
    else:
        die(f"unknown command {' '.join(argv[1:])!r}; see --help")


if __name__ == "__main__":
    main(sys.argv)
