"""Prometheus metrics of one service instance, on its own registry (no global state).

Labels are channels, routes, states and kinds: never text, pseudonyms or platform ids.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.http_requests = Counter(
            "somesossu_http_requests_total",
            "HTTP requests served",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.inbound_messages = Counter(
            "somesossu_inbound_messages_total",
            "Resident messages received and stored",
            ["channel"],
            registry=self.registry,
        )
        self.inbound_duplicates = Counter(
            "somesossu_inbound_duplicates_total",
            "Platform redeliveries dropped",
            ["channel"],
            registry=self.registry,
        )
        self.outbound_messages = Counter(
            "somesossu_outbound_messages_total",
            "Delivery attempts by outcome",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.redaction_findings = Counter(
            "somesossu_redaction_findings_total",
            "Personal data items removed before storage, by kind",
            ["kind"],
            registry=self.registry,
        )
        self.pipeline_seconds = Histogram(
            "somesossu_inbound_pipeline_seconds",
            "Time from receiving a resident message to its commit",
            ["channel"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.inbound_batch_size = Histogram(
            "somesossu_inbound_batch_size",
            "Resident messages stored together in one transaction (group commit)",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
            registry=self.registry,
        )
        self.websocket_connections = Gauge(
            "somesossu_websocket_connections",
            "Open websocket connections",
            ["kind"],
            registry=self.registry,
        )
        self.audit_records = Counter(
            "somesossu_audit_records_total",
            "Audit records written, by action",
            ["action"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
