# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tls_preflight_problems: every problem with the tls role's variables."""
from __future__ import annotations

DOCUMENTATION = r"""
name: tls_preflight_problems
short_description: Preflight check of the tls role's variables and certificate requests
version_added: 0.1.0
description:
  - Returns one message per problem the role's argument spec cannot say. The renewal fraction, the CA's and the
    certificates' lifetimes, the CA host and file name, the CA passphrase's length, the renewal timer's settings,
    the revocation list's URL and lifetimes;
    each request's name (a file base name, not requested twice, not the CA's), lifetime and IP addresses; each
    normalized request's names (a server certificate needs one) and, for ACME, the account contact, the terms,
    DNS names only and challenge hosts of the inventory.
author: tdah.platform maintainers (@tdah-platform)
options:
  _input:
    description: The requests as given (C(tls_certificates)).
    type: list
    elements: dict
    required: true
  certs:
    description: The normalized requests (the role's own, with SANs and provider worked out).
    type: list
    elements: dict
    required: true
  settings:
    description: >-
      V(renew_remaining_fraction), V(ca_validity_days), V(validity_days), V(ca_host), V(ca_name), V(ca_passphrase),
      V(renewal_timer_enabled), V(renewal_timer_directory), V(renewal_timer_command), V(acme) (V(contact),
      V(terms_agreed)) and V(crl) (V(url), V(validity_days), V(renew_days)).
    type: dict
    required: true
  hosts:
    description: The inventory's hosts.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: The variables and certificate requests are valid
  ansible.builtin.assert:
    that: __problems | length == 0
    fail_msg: "Fix the tls variables: {{ __problems | join('; ') }}."
  vars:
    __problems: "{{ tls_certificates | tdah.platform.tls_preflight_problems(__tls_certs, __settings, groups['all']) }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the variables are valid.
  type: list
  elements: str
"""

from ansible_collections.tdah.platform.plugins.module_utils._tls import preflight_problems


class FilterModule:
    def filters(self):
        return {"tls_preflight_problems": preflight_problems}
