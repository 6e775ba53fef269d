"""The demo Superset: datasets over the demo warehouse, the charts on them and six dashboards."""

from __future__ import annotations

from typing import Any

from sandbox.superset.demo_tables import demo_tables

_METRICS: dict[str, dict[str, str]] = {
    "orders": {"order_count": "COUNT(*)", "revenue": "SUM(total)", "average_order_value": "AVG(total)",
               "discount_total": "SUM(discount)"},
    "order_lines": {"units": "SUM(quantity)", "line_revenue": "SUM(quantity * unit_price)"},
    "products": {"product_count": "COUNT(*)"},
    "customers": {"customer_count": "COUNT(*)"},
    "leads": {"lead_count": "COUNT(*)", "won_leads": "SUM(CASE WHEN won_on IS NOT NULL THEN 1 ELSE 0 END)"},
    "deals": {"deal_count": "COUNT(*)", "pipeline_value": "SUM(amount)"},
    "campaigns": {"spend": "SUM(spend)", "revenue": "SUM(revenue)", "roas": "ROUND(SUM(revenue) / SUM(spend), 2)"},
    "site_sessions": {"sessions": "SUM(sessions)", "searches": "SUM(searches)", "purchases": "SUM(purchases)"},
    "ab_tests": {"visitors": "SUM(visitors)", "conversions": "SUM(conversions)"},
    "tenant_usage": {"runs": "SUM(runs)", "approvals_asked": "SUM(approvals_asked)",
                     "approvals_granted": "SUM(approvals_granted)"},
}
_TIME_COLUMNS = {
    "orders": "order_date", "customers": "created_on", "leads": "created_on", "deals": "created_on",
    "campaigns": "week_start", "site_sessions": "week_start", "ab_tests": "started_on", "tenant_usage": "day",
}
_PRODUCT_SALES = (
    "SELECT l.id AS line_id, o.order_date, o.store, o.channel, p.name AS product, p.category, l.quantity, "
    "l.unit_price, l.quantity * l.unit_price AS line_total, l.quantity * (l.unit_price - p.cost) AS margin "
    "FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id "
    "WHERE o.status != 'canceled'"
)
_CUSTOMER_ORDERS = (
    "SELECT customer_id, store, COUNT(*) AS order_count, MIN(order_date) AS first_order_date, "
    "SUM(total) AS lifetime_value FROM orders WHERE status != 'canceled' GROUP BY customer_id, store"
)


def _chart(name: str, dataset: str, viz_type: str, metrics: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"name": name, "dataset": dataset, "viz_type": viz_type, "metrics": metrics, **extra}


def demo_seed() -> dict[str, Any]:
    """Seed data for `SupersetStore.seed` (a fresh dict on every call)."""
    datasets: list[dict[str, Any]] = [
        {"name": table.name, "database": "analytics", "description": table.description,
         "time_column": _TIME_COLUMNS.get(table.name), "metrics": dict(_METRICS.get(table.name, {})),
         "owners": ["Ana Silva"]}
        for table in demo_tables().values()
    ]
    datasets.append({
        "name": "customer_orders", "database": "analytics", "sql": _CUSTOMER_ORDERS,
        "description": "One row per customer and store: orders, first order date, lifetime value",
        "time_column": "first_order_date", "owners": ["Ana Silva"],
        "metrics": {"customers": "COUNT(*)",
                    "repeat_rate_pct": "ROUND(100.0 * SUM(CASE WHEN order_count >= 2 THEN 1 ELSE 0 END) / COUNT(*), 1)"},
    })
    datasets.append({
        "name": "product_sales", "database": "analytics", "sql": _PRODUCT_SALES,
        "description": "One row per order line with its product, store, channel, revenue and margin",
        "time_column": "order_date", "owners": ["Ana Silva"],
        "metrics": {"units": "SUM(quantity)", "revenue": "SUM(line_total)", "margin": "SUM(margin)"},
    })
    week = {"time_column": "order_date", "time_grain": "P1W", "x_label": "week"}
    charts = [
        _chart("Revenue by week", "orders", "echarts_timeseries_bar", {"revenue": "ROUND(SUM(total), 2)",
               "orders": "COUNT(*)"}, where="store = 'CoreLDove' AND status != 'canceled'", **week,
               description="CoreLDove revenue per week (Monday start), canceled orders left out"),
        _chart("Orders by channel", "orders", "pie", {"orders": "COUNT(*)", "revenue": "ROUND(SUM(total), 2)"},
               groupby=["channel"], where="store = 'CoreLDove'", time_column="order_date",
               order_by=[["orders", False]]),
        _chart("Discount code usage", "orders", "table", {"orders": "COUNT(*)", "discount": "ROUND(SUM(discount), 2)"},
               groupby=["discount_code"], where="discount_code IS NOT NULL", time_column="order_date",
               order_by=[["orders", False]]),
        _chart("Repeat purchase rate", "customer_orders", "echarts_timeseries_line",
               {"repeat_rate_pct": "ROUND(100.0 * SUM(CASE WHEN order_count >= 2 THEN 1 ELSE 0 END) / COUNT(*), 1)",
                "customers": "COUNT(*)"}, where="store = 'CoreLDove'", time_column="first_order_date",
               time_grain="P3M", x_label="first_order_quarter",
               description="Share of customers with two or more orders, by quarter of their first order"),
        _chart("Funnel", "site_sessions", "funnel",
               {"sessions": "SUM(sessions)", "searches": "SUM(searches)", "product_views": "SUM(product_views)",
                "add_to_carts": "SUM(add_to_carts)", "checkouts": "SUM(checkouts)", "purchases": "SUM(purchases)"},
               time_column="week_start"),
        _chart("Top products", "product_sales", "table", {"units": "SUM(quantity)",
               "revenue": "ROUND(SUM(line_total), 2)", "margin": "ROUND(SUM(margin), 2)"},
               groupby=["product", "store"], time_column="order_date", order_by=[["revenue", False]], row_limit=10),
        _chart("Spring Sale campaign ROAS", "campaigns", "table",
               {"spend": "ROUND(SUM(spend), 2)", "revenue": "ROUND(SUM(revenue), 2)",
                "roas": "ROUND(SUM(revenue) / SUM(spend), 2)", "target_roas": "MAX(target_roas)"},
               groupby=["campaign", "channel"], where="campaign LIKE 'Spring Sale%'", time_column="week_start",
               order_by=[["roas", False]]),
        _chart("Campaign spend by week", "campaigns", "echarts_timeseries_bar",
               {"spend": "ROUND(SUM(spend), 2)", "clicks": "SUM(clicks)"}, groupby=["channel"],
               time_column="week_start", time_grain="P1W", x_label="week"),
        _chart("Leads by source", "leads", "bar", {"leads": "COUNT(*)",
               "won": "SUM(CASE WHEN won_on IS NOT NULL THEN 1 ELSE 0 END)"}, groupby=["source"],
               time_column="created_on", order_by=[["leads", False]]),
        _chart("A/B test results", "ab_tests", "table",
               {"visitors": "SUM(visitors)", "conversions": "SUM(conversions)",
                "conversion_rate_pct": "ROUND(100.0 * SUM(conversions) / SUM(visitors), 2)"},
               groupby=["test_name", "variant"], time_column="started_on"),
        _chart("Deals by stage", "deals", "funnel", {"deals": "COUNT(*)", "amount": "SUM(amount)"},
               groupby=["stage"], time_column="created_on", order_by=[["amount", False]]),
        _chart("Days from lead to won deal", "leads", "table",
               {"won": "COUNT(*)", "avg_days_to_win": "ROUND(AVG(julianday(won_on) - julianday(created_on)), 1)"},
               groupby=["client"], where="won_on IS NOT NULL", time_column="created_on"),
        _chart("Casa Verde monthly leads", "leads", "echarts_timeseries_line", {"leads": "COUNT(*)"},
               where="client = 'Casa Verde'", time_column="created_on", time_grain="P1M", x_label="month"),
        _chart("Casa Verde leads by source", "leads", "pie", {"leads": "COUNT(*)"}, groupby=["source"],
               where="client = 'Casa Verde'", time_column="created_on"),
        _chart("Beanbar orders", "orders", "echarts_timeseries_bar",
               {"orders": "COUNT(*)", "revenue": "ROUND(SUM(total), 2)"}, where="store = 'Beanbar'",
               time_column="order_date", time_grain="P1M", x_label="month"),
        _chart("Beanbar orders by channel", "orders", "pie", {"orders": "COUNT(*)"}, groupby=["channel"],
               where="store = 'Beanbar'", time_column="order_date"),
        _chart("Runs per tenant", "tenant_usage", "echarts_timeseries_bar", {"runs": "SUM(runs)"},
               groupby=["tenant"], time_column="day", time_grain="P1W", x_label="week"),
        _chart("Approval rate", "tenant_usage", "table",
               {"approvals_asked": "SUM(approvals_asked)", "approvals_granted": "SUM(approvals_granted)",
                "approval_rate_pct": "ROUND(100.0 * SUM(approvals_granted) / SUM(approvals_asked), 1)"},
               groupby=["tenant"], time_column="day"),
    ]
    dashboards = [
        {"title": "CoreLDove Revenue", "slug": "coreldove-revenue", "owners": ["Ana Silva"], "tags": ["coreldove", "sales"],
         "charts": ["Revenue by week", "Orders by channel", "Discount code usage", "Repeat purchase rate", "Funnel",
                    "Top products"]},
        {"title": "Marketing Performance", "slug": "marketing-performance", "owners": ["Ravi Kumar"],
         "tags": ["marketing"], "charts": ["Spring Sale campaign ROAS", "Campaign spend by week", "Leads by source",
                                           "A/B test results", "Funnel"]},
        {"title": "Sales Pipeline", "slug": "sales-pipeline", "owners": ["Ravi Kumar", "Ana Silva"], "tags": ["sales"],
         "charts": ["Deals by stage", "Leads by source", "Days from lead to won deal"]},
        {"title": "Casa Verde Client Dashboard", "slug": "casa-verde", "owners": ["Maria Garcia"],
         "tags": ["client", "casa-verde"], "charts": ["Casa Verde monthly leads", "Casa Verde leads by source"]},
        {"title": "Beanbar Client Dashboard", "slug": "beanbar", "owners": ["Maria Garcia"], "tags": ["client", "beanbar"],
         "charts": ["Beanbar orders", "Beanbar orders by channel"]},
        {"title": "Platform Usage", "slug": "platform-usage", "owners": ["Superset Admin"], "tags": ["platform"],
         "published": False, "charts": ["Runs per tenant", "Approval rate"]},
    ]
    return {"databases": ["analytics"], "datasets": datasets, "charts": charts, "dashboards": dashboards}
