"""ESCAP Desktop: the desktop application of the Équipes de Soins Coordonnés avec le Patient."""

__version__ = "0.1.0"
