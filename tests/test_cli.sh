#!/bin/sh
echo "cli: 0 passed"
