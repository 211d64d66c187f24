# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decisions of the tls role: the preflight problem list."""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from ansible_collections.tdah.platform.plugins.module_utils._network import parse_ip

_FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_MAILTO = re.compile(r"^mailto:[^@ ]+@[^@ ]+$")


def _number(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def settings_problems(settings: Mapping, hosts: Iterable[str]) -> list[str]:
    """What is wrong with the role's own settings (what its argument spec cannot say)."""
    problems = []
    fraction = _number(settings.get("renew_remaining_fraction"), -1)
    if not 0 < fraction < 1:
        problems.append(f"tls_renew_remaining_fraction must be between 0 and 1 (is {settings.get('renew_remaining_fraction')})")
    if int(_number(settings.get("ca_validity_days"))) <= int(_number(settings.get("validity_days"))):
        problems.append(f"tls_ca_validity_days ({settings.get('ca_validity_days')}) must be longer than tls_validity_days "
                        f"({settings.get('validity_days')})")
    ca_host = settings.get("ca_host", "localhost")
    if ca_host != "localhost" and ca_host not in set(hosts):
        problems.append(f"tls_ca_host '{ca_host}' is neither localhost (the controller) nor a host of the inventory")
    if not _FILE_NAME.match(str(settings.get("ca_name", ""))):
        problems.append(f"tls_ca_name '{settings.get('ca_name')}' must be a file base name (a-z, 0-9, _ . -)")
    passphrase = settings.get("ca_passphrase") or ""
    if 0 < len(passphrase) < 16:
        problems.append("tls_ca_passphrase must be empty or at least 16 characters long")
    if settings.get("renewal_timer_enabled"):
        if ca_host == "localhost":
            problems.append("tls_renewal_timer_enabled needs tls_ca_host to be an inventory host (the timer runs where the "
                            "CA key is); with the CA on the controller, schedule playbooks/cert_renewal.yml in AWX or cron "
                            "instead")
        directory = str(settings.get("renewal_timer_directory") or "")
        if not directory.startswith("/"):
            problems.append("tls_renewal_timer_directory must be the absolute path of the project checkout on the CA host "
                            f"(is '{directory}')")
        if not settings.get("renewal_timer_command"):
            problems.append("tls_renewal_timer_command must not be empty")
    crl = settings.get("crl") or {}
    url = str(crl.get("url") or "")
    if url:
        if not re.match(r"^http://[A-Za-z0-9.\[\]:-]+/[^\s?#]+$", url):
            problems.append(f"tls_crl_url must be an http:// URL with a path, e.g. http://www.example.org/"
                            f"{settings.get('ca_name')}.crl (is '{url}'; clients fetch a CRL over plain HTTP)")
        validity, renew = int(_number(crl.get("validity_days"))), int(_number(crl.get("renew_days")))
        if not 0 < renew < validity:
            problems.append(f"tls_crl_renew_days ({crl.get('renew_days')}) must be at least 1 and less than "
                            f"tls_crl_validity_days ({crl.get('validity_days')})")
    return problems


def request_problems(requested: Iterable[Mapping], ca_name: str, validity_days: Any) -> list[str]:
    """What is wrong with the certificate requests as given (tls_certificates)."""
    problems = []
    requested = list(requested)
    names = [str(item.get("name", "")) for item in requested]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"certificate '{name}' is requested twice")
    for item in requested:
        name = str(item.get("name", ""))
        if not _FILE_NAME.match(name):
            problems.append(f"certificate '{name}': the name must be a file base name (a-z, 0-9, _ . -)")
            continue
        label = f"certificate '{name}': "
        if name == ca_name:
            problems.append(label + "the name is the CA file name (tls_ca_name)")
        if int(_number(item.get("validity_days", validity_days))) < 1:
            problems.append(label + "validity_days must be at least 1")
        for address in item.get("ip_addresses") or []:
            if "/" in str(address) or parse_ip(address) is None:
                problems.append(label + f"'{address}' in ip_addresses is not an IP address")
    return problems


def certificate_problems(certs: Iterable[Mapping], acme: Mapping, hosts: Iterable[str]) -> list[str]:
    """What is wrong with the normalized requests (SANs worked out, providers chosen)."""
    problems = []
    known = set(hosts)
    contact = list(acme.get("contact") or [])
    for cert in certs:
        label = f"certificate '{cert['name']}': "
        if cert["usage"] in ("server", "both") and not cert["sans"]:
            problems.append(label + "a server certificate needs at least one name: the SAN list (dns_names, ip_addresses, "
                                    "default names) is empty")
        if cert["provider"] != "acme":
            continue
        if not contact or any(not _MAILTO.match(str(c)) for c in contact):
            problems.append(label + "ACME needs an account contact: set tls_acme_contact to a list of 'mailto:' addresses "
                                    f"(is {contact})")
        if not acme.get("terms_agreed"):
            problems.append(label + "ACME needs tls_acme_terms_agreed: true (agree to the ACME server's terms of service)")
        if not cert["dns_names"]:
            problems.append(label + "an ACME certificate needs dns_names (public names the ACME server can reach)")
        if cert["ip_addresses"]:
            problems.append(label + "an ACME certificate cannot hold IP addresses over HTTP-01; remove ip_addresses or set "
                                    "default_names: false")
        unknown = [h for h in cert.get("acme_challenge_hosts") or [] if h not in known]
        if unknown:
            problems.append(label + "acme_challenge_hosts are not inventory hosts: " + ", ".join(unknown))
    return problems


def preflight_problems(requested, certs, settings: Mapping, hosts) -> list[str]:
    """Every problem with the tls role's variables, one message each."""
    hosts = list(hosts)
    return (settings_problems(settings, hosts)
            + request_problems(requested, str(settings.get("ca_name", "")), settings.get("validity_days"))
            + certificate_problems(certs, settings.get("acme") or {}, hosts))


# --- What the CA signs -----------------------------------------------------------

def _name(value: Any) -> tuple[str, str] | None:
    """A SAN ('DNS:x', 'IP:y') or a bare name as (kind, normalized value)."""
    text = str(value or "").strip()
    kind, _sep, rest = text.partition(":")
    if kind.upper() in ("DNS", "IP") and rest:
        text = rest.strip()
        if kind.upper() == "DNS":
            return ("DNS", text.lower().rstrip("."))
    address = parse_ip(text)
    if address is not None:
        return ("IP", address.compressed)
    return ("DNS", text.lower().rstrip(".")) if text else None


def _show(name: tuple[str, str]) -> str:
    return f"{name[0]}:{name[1]}"


def allowed_names(host: str, host_vars: Mapping, extra_names: Iterable[Any] = (),
                  domains: Iterable[str] = ()) -> set[tuple[str, str]]:
    """The names the inventory gives a host, whatever the host asks for: its inventory name and short
    name, its FQDN when it is the inventory name or the short name in an allowed domain (the domain
    of an FQDN inventory name, and tls_ca_allowed_domains), its address under the address contract,
    the names of its tls_certificates in the inventory, and tls_ca_allowed_names."""
    from ansible_collections.tdah.platform.plugins.module_utils._network import resolve

    short = str(host_vars.get("inventory_hostname_short") or host.split(".")[0])
    names = {("DNS", host.lower()), ("DNS", short.lower())}
    zones = {str(d).lower().strip(".") for d in domains if d}
    if "." in host:
        zones.add(host.split(".", 1)[1].lower())
    facts = host_vars.get("ansible_facts") or {}
    fqdn = str(facts.get("fqdn") or host_vars.get("ansible_fqdn") or "").lower().rstrip(".")
    if fqdn == host.lower() or (fqdn.startswith(short.lower() + ".") and fqdn[len(short) + 1:] in zones):
        names.add(("DNS", fqdn))
    address = resolve(host, host_vars)[0]
    if address:
        names.add(_name(address))
    for item in host_vars.get("tls_certificates") or []:
        if isinstance(item, Mapping):
            for value in list(item.get("dns_names") or []) + list(item.get("ip_addresses") or []) + [item.get("common_name")]:
                if value:
                    names.add(_name(value))
    for value in extra_names or []:
        name = _name(value)
        if name:
            names.add(name)
    names.discard(None)
    return names


def signing_problems(host: str, csr_results: Iterable[Mapping], host_vars: Mapping, trusted: bool,
                     extra_names: Iterable[Any] = (), domains: Iterable[str] = ()) -> list[str]:
    """Why the CA must not sign some of a host's signing requests, from what the CA read in each
    request itself (community.crypto.openssl_csr_info results, each with item.item, the normalized
    certificate request). A request must ask for exactly the names of the certificate request it was
    made for; when that certificate request came from the host itself (the renewal playbook reads
    them there: trusted false), every name must also be one the inventory gives the host."""
    base = allowed_names(host, host_vars, extra_names, domains)
    problems = []
    for result in csr_results:
        request = (result.get("item") or {}).get("item") or {}
        cert = request.get("name", "?")
        asked = {n for n in (_name(v) for v in result.get("subject_alt_name") or []) if n}
        common_name = ((result.get("subject") or {}).get("commonName") or "").strip()
        meant = {n for n in (_name(v) for v in request.get("sans") or []) if n}
        if asked != meant or common_name != str(request.get("common_name", "")):
            extra = sorted(_show(n) for n in asked - meant)
            problems.append(
                f"The CA refuses to sign certificate '{cert}' for {host}: its signing request does not match the "
                f"certificate asked for (extra names: {', '.join(extra) or 'none'}; common name '{common_name}', "
                f"expected '{request.get('common_name', '')}'). Something on {host} made a different request.")
            continue
        allowed = base | meant | {_name(request.get("common_name"))} if trusted else base
        wanted = asked | ({_name(common_name)} if common_name else set())
        extra = sorted(_show(n) for n in wanted - allowed if n)
        if extra:
            problems.append(
                f"The CA refuses to sign certificate '{cert}' for {host}: it asks for {', '.join(extra)}, which the "
                f"inventory does not give {host}. If {host} should have them, add them to tls_ca_allowed_names for "
                f"{host} (or to its tls_certificates in the inventory).")
    return problems
