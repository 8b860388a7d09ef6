"""How each area reads on Discord, one module per area: its replies and embeds, its buttons,
and its notification kinds' messages, in English and Korean. Use cases return data; these
turn it into what members see."""
