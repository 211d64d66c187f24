# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tls_signing_problems: what the internal CA must refuse to sign for a host."""
from __future__ import annotations

DOCUMENTATION = r"""
name: tls_signing_problems
short_description: The CA side's check of a host's certificate signing requests
version_added: 0.1.0
description:
  - Takes what the CA host read in each signing request (the results of M(community.crypto.openssl_csr_info)
    looped over the tls role's requests) and returns one message per request the CA must not sign.
  - A signing request must ask for exactly the names of the certificate it was made for. When the certificate
    requests themselves came from the host (the renewal playbook reads them there), every name must also be one
    the inventory gives the host, so a compromised host cannot obtain other names from the internal CA.
  - The names the inventory gives a host are its inventory name and short name, its FQDN when it is the inventory
    name or the short name in an allowed domain, its address under the address contract, the names of its
    C(tls_certificates) in the inventory, and O(extra_names).
author: tdah.platform maintainers (@tdah-platform)
options:
  _input:
    description: The registered results of M(community.crypto.openssl_csr_info), each with C(item.item), the
      tls role's normalized certificate request.
    type: list
    elements: dict
    required: true
  host:
    description: The inventory name of the host the requests are for.
    type: str
    required: true
  host_vars:
    description: C(hostvars) of that host.
    type: dict
    required: true
  trusted:
    description: The certificate requests were computed on the controller from the inventory and the roles
      (site.yml), not read from the host.
    type: bool
    required: true
  extra_names:
    description: More names the host may have (C(tls_ca_allowed_names)), as C(DNS:name), C(IP:address) or bare.
    type: list
    elements: str
    default: []
  domains:
    description: Domains in which the host's short name is an allowed FQDN (C(tls_ca_allowed_domains)).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: The CA signs only what the inventory gives the host
  ansible.builtin.assert:
    that: __problems | length == 0
    fail_msg: "{{ __problems | join(' ') }}"
  vars:
    __problems: >-
      {{ __tls_csr_seen.results | tdah.platform.tls_signing_problems(inventory_hostname, hostvars[inventory_hostname],
         trusted=true, extra_names=tls_ca_allowed_names, domains=tls_ca_allowed_domains) }}
"""

RETURN = r"""
_value:
  description: One message per request the CA must not sign, naming the host and the names it may not have.
  type: list
  elements: str
"""

from ansible_collections.tdah.platform.plugins.module_utils._tls import signing_problems


def tls_signing_problems(results, host, host_vars, trusted, extra_names=None, domains=None) -> list:
    return signing_problems(host, results or [], host_vars or {}, bool(trusted), extra_names or [], domains or [])


class FilterModule:
    def filters(self):
        return {"tls_signing_problems": tls_signing_problems}
