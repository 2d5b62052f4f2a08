"""The village (community) oversight committees (村社区监督委员会) and their supervision cases."""
