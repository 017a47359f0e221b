"""The dashboard: ESCAPs by state over time, inclusion scores, situations, exits, the year."""

from escap_desktop.ui.dashboard.dashboard_view import DashboardView

__all__ = ["DashboardView"]
