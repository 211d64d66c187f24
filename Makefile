# The two commands of the README: `make lab` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export CONTAINERS_CONF := $(CURDIR)/scripts/containers.conf
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.cache/collections
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/.venv/bin:$(PATH)
export TDAH_ROOT := $(CURDIR)
SCENARIOS ?= platform

.PHONY: setup lab lab-destroy test lint sanity unit molecule bench bench-pg bench-redis bench-platform bench-api bench-lb clean
setup:
	scripts/setup.sh

lab: setup
	scripts/lab.sh up

lab-destroy: setup
	scripts/lab.sh down

test: setup
	scripts/test.sh

lint: setup
	scripts/test.sh lint

sanity: setup
	scripts/test.sh sanity

unit: setup
	scripts/test.sh unit

molecule: setup
	scripts/test.sh molecule $(SCENARIOS)

bench: setup
	bench/hardening_converge.sh

bench-pg: setup
	bench/pg_drills.sh

bench-redis: setup
	bench/redis_failover.sh

bench-platform: setup
	bench/platform_timing.sh $(ARGS)

bench-api: setup
	bench/api_throughput.sh

bench-lb: setup
	bench/lb.sh
