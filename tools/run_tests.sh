#!/usr/bin/env bash
exec .venv/bin/python tools/run_tests.py "$@"
