"""« Mes ESCAP » : the professional's own ESCAPs this year and the yearly allowances."""
