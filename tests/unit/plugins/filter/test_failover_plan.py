"""The failover decision: promote only when no replica still streams from an
unreachable (so, live) primary."""
from __future__ import annotations

from ansible_collections.tdah.platform.plugins.filter.failover_plan import failover_plan as plan_of


def failover_plan(nodes, force=False):
    """The filter, given the nodes as one list (what the playbook builds as three)."""
    answers = {node["host"]: {k: v for k, v in node.items() if k not in ("host", "address", "answered")}
               for node in nodes if node["answered"]}
    return plan_of([node["host"] for node in nodes], answers, {node["host"]: node["address"] for node in nodes}, force)


PG1 = {"host": "pg1", "address": "10.0.0.1", "answered": False}


def replica(host, address, received, receiver=None, sender=None, silent=None):
    return {"host": host, "address": address, "answered": True, "in_recovery": True, "received": received,
            "receiver": receiver, "sender": sender, "silent": silent}


def test_a_dead_primary_the_replicas_let_go_of_is_replaced_by_the_most_advanced_replica():
    plan = failover_plan([PG1, replica("pg2", "10.0.0.2", 100), replica("pg3", "10.0.0.3", 300, "starting", "10.0.0.1")])
    assert plan == {"target": "pg3", "primaries": [], "attached": [], "problems": []}


def test_a_tie_goes_to_the_first_in_inventory_order():
    assert failover_plan([PG1, replica("pg2", "10.0.0.2", 5), replica("pg3", "10.0.0.3", 5)])["target"] == "pg2"


def test_a_replica_that_still_streams_from_the_unreachable_primary_stops_the_failover():
    plan = failover_plan([PG1, replica("pg2", "10.0.0.2", 100, "streaming", "10.0.0.1", 0.25)])
    assert plan["target"] == ""
    assert plan["attached"] == [{"host": "pg2", "sender": "pg1", "address": "10.0.0.1", "silent": 0.25}]
    assert len(plan["problems"]) == 1
    assert "pg2 still receives WAL from pg1 (10.0.0.1), last message 0.2 s ago" in plan["problems"][0]
    assert "two primaries" in plan["problems"][0] and "pg_failover_force=true" in plan["problems"][0]


def test_force_promotes_anyway():
    plan = failover_plan([PG1, replica("pg2", "10.0.0.2", 100, "streaming", "10.0.0.1", 0.25)], force=True)
    assert plan["target"] == "pg2" and plan["problems"] == [] and plan["attached"][0]["sender"] == "pg1"


def test_a_sender_outside_the_inventory_counts_as_a_live_primary():
    plan = failover_plan([PG1, replica("pg2", "10.0.0.2", 100, "streaming", "192.0.2.7", None)])
    assert "pg2 still receives WAL from 192.0.2.7 (192.0.2.7), last message ? s ago" in plan["problems"][0]


def test_cascading_from_another_replica_that_answered_is_no_obstacle():
    plan = failover_plan([PG1, replica("pg2", "10.0.0.2", 100, "streaming", "10.0.0.3"), replica("pg3", "10.0.0.3", 90)])
    assert plan["problems"] == [] and plan["target"] == "pg2"


def test_a_running_primary_means_a_switchover():
    primary = {"host": "pg1", "address": "10.0.0.1", "answered": True, "in_recovery": False, "received": 1}
    plan = failover_plan([primary, replica("pg2", "10.0.0.2", 1, "streaming", "10.0.0.1")])
    assert plan["problems"] == ["A primary still runs (pg1): use playbooks/pg_switchover.yml."]
    assert plan["target"] == ""


def test_no_replica_answered():
    assert failover_plan([PG1, {"host": "pg2", "address": "10.0.0.2", "answered": False}])["problems"] == [
        "No running replica answered: nothing can be promoted."]
