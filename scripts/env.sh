#!/usr/bin/env bash
# Sourced by the project's scripts: the venv, the project's podman settings
# and the collection link. Expects $top (the checkout) to be set.
: "${top:?set top to the checkout before sourcing env.sh}"
export PATH="$top/.venv/bin:$PATH"
export CONTAINERS_CONF="$top/scripts/containers.conf"
export ANSIBLE_COLLECTIONS_PATH="$top/.cache/collections"
export ANSIBLE_CONFIG="$top/ansible.cfg"
# The checkout, for the lab inventory (its SSH key and known hosts).
export TDAH_ROOT="$top"
export PY_COLORS=0 ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 NO_COLOR=1
