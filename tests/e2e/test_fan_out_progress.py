"""The moderator who posts an update watches its fan-out progress in their confirmation."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.delivery_support import subscribe_dm, welcomed
from tests.e2e.helpers import wait_until
from tests.e2e.serving import serving


async def test_the_moderator_watches_the_fan_out_progress(tmp_path: Path) -> None:
    async with serving(tmp_path) as (fake, bot):
        fans = await subscribe_dm(fake, 20, "watched")
        await welcomed(fake, fans)
        bot.env["DISCORD_RATE_LIMIT"] = "3"  # 21 posts take about seven seconds
        await bot.restart()
        fake.set_global_rate_limit(3)
        result = await fake.invoke("admin update", {"text": "Trailer soon."},
                                   member=fake.guild.admin)  # fmt: skip
        assert "Update added" in result.text
        original = fake.messages.by_id[int(result.message["id"])]
        seen: list[str] = []

        def progressed() -> bool:
            content = original["content"]
            if content not in seen:
                seen.append(content)
            return "Done: 21 of 21 delivered" in content

        await wait_until(progressed, timeout=30, what="the final progress", poll=0.05)
        waiting = [c for c in seen if "waiting" in c]
        assert waiting, seen
        assert "Update added" in waiting[0] and "of 21 delivered" in waiting[0]
        assert "<t:" in waiting[0]  # the time left as a live Discord timestamp
        assert seen[-1].count("📬") == 1  # each edit replaces the progress line
        status = await fake.invoke("admin status", member=fake.guild.admin)
        assert "Done: 21 of 21 delivered" in status.text  # after the token's 15 minutes too
