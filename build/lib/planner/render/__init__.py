"""Render stage: plan → offline map, printable route sheets, CSV and text summary.

Every output is a self-contained file that loads nothing from the network (client
data are social data). Client names appear only with ``show_names=True``.
"""

from planner.render.map import render_map
from planner.render.sheet import render_sheet, render_sheets
from planner.render.table import write_plan_csv, write_summary

__all__ = ["render_map", "render_sheet", "render_sheets", "write_plan_csv", "write_summary"]
