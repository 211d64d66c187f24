# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""service_record: what a service declares to load balancers and monitoring."""
from __future__ import annotations

DOCUMENTATION = r"""
name: service_record
short_description: The normalized record of a service declaration (the service_records fact)
version_added: 0.1.0
description:
  - Builds the entry the C(tdah.platform.service) role records for a service in the C(service_records) fact
    (C(ansible_local.tdah_services) in later runs),
    which load balancer and monitoring roles read. Ports keep their name, port numbers and protocol (not their
    sources, which are the firewall's business); metrics get their defaults (path V(/metrics), scheme V(http)).
author: tdah.platform maintainers (@tdah-platform)
options:
  _input:
    description: The service's ports, in the firewall rule shape.
    type: list
    elements: dict
    required: true
  metrics:
    description: The service's metrics endpoints (name, port, path, scheme).
    type: list
    elements: dict
    required: true
  units:
    description: The service's units (items with a unit key).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: A record
  ansible.builtin.debug:
    msg: "{{ [{'name': 'pg', 'port': 5432, 'from_groups': ['api']}] | tdah.platform.service_record([], []) }}"
"""

RETURN = r"""
_value:
  description: V(ports) (name, ports, proto), V(metrics) (name, port, path, scheme) and V(units) (names).
  type: dict
"""


def _ports(rule) -> list:
    ports = rule.get("ports", [rule.get("port")] if "port" in rule else [])
    return [int(p) for p in (ports if isinstance(ports, (list, tuple)) else [ports])]


def service_record(ports, metrics, units) -> dict:
    return {
        "ports": [{"name": str(rule["name"]), "ports": _ports(rule), "proto": str(rule.get("proto", "tcp"))}
                  for rule in ports],
        "metrics": [{"name": str(m["name"]), "port": int(m["port"]), "path": str(m.get("path", "/metrics")),
                     "scheme": str(m.get("scheme", "http"))} for m in metrics],
        "units": [str(u["unit"]) for u in units],
    }


class FilterModule:
    def filters(self):
        return {"service_record": service_record}
