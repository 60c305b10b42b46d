"""The desk's fixed vocabulary: kinds, channels, routes and callback labels, stored as these strings.

They live in the domain (not beside the tables) because the rules — routing, input validation, figures —
speak in them; the tables only store them.
"""

from __future__ import annotations

from kernel.contracts import Channel, WorkOrderKind

# Kinds of work order and channels (stored as these labels).
KINDS = tuple(kind.value for kind in WorkOrderKind)
CHANNELS = tuple(channel.value for channel in Channel)
# Where an order is routed.
ROUTE_JUDGE = "judge"
ROUTE_SUPERVISION = "supervision"
ROUTE_POOL = "pool"
# Callback records.
CALLBACK_METHODS = ("电话", "短信", "留言")
CALLBACK_PURPOSES = ("联系", "回访")
CALLBACK_OUTCOMES = ("接通", "未接通", "已发送", "已留言")
SUCCESSFUL_OUTCOMES = ("接通", "已发送", "已留言")
