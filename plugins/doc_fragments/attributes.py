# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Attributes of the collection's modules (community.crypto's layout)."""
from __future__ import annotations


class ModuleDocFragment:
    # A module that changes state: it predicts in check mode, shows a diff and
    # changes nothing on a second run with the same options.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    support: full
    description: Reports what would change and changes nothing.
  diff_mode:
    support: full
    description: Returns the old and new values of what changed (secret values hidden).
  idempotent:
    support: full
    description: A second run with the same options reports no change.
"""

    # A module that only reads.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    description: Reads only, in check mode too.
  diff_mode:
    support: N/A
    description: Nothing changes.
  idempotent:
    support: full
    description: Reads only.
"""
