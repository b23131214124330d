"""How long a quarter's report takes over 1,000,000 cases on PostgreSQL (issue 8; target < 5 s).

    .venv/bin/python bench/report.py [--database-url postgresql://postgres@127.0.0.1:5432/mediator_report_bench]
                                     [--cases 1000000] [--runs 5] [--slices none,topic,...] [--reuse]

The database named in the URL is DROPPED and created again (use a benchmark-only database). The script
migrates it (so the report indexes of migrations 0006 and 0007 exist) and generates, inside PostgreSQL, one shop's
year 2026 of cases — 1,000,000 by default, with their reviews, ~5.8 events and ~4.6 messages each — then
times `build_report` for 2026-Q3 (about a quarter of the cases) without a slice and per slice, printing
the median and p99 of several runs and the peak RSS. `--reuse` skips the generation, but still migrates, so
an index added since the data was generated is built (once) before timing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import median, peak_rss_mb, percentile, scratch_database
from bot.reports.build import SLICES, build_report, parse_period
from bot.store.db import async_url, make_engine, make_sessionmaker
from bot.store.migrate import upgrade_sync

ROOT = Path(__file__).resolve().parent.parent
SHOP = "bench"
QUARTER_START = datetime(2026, 7, 1, tzinfo=UTC)
QUARTER_SECONDS = 92 * 86400 - 1
# The whole data set is generated inside PostgreSQL (INSERT … SELECT over generate_series): a plan row per
# case with its random draws, then cases, reviews, events and messages derived from the plan. Ids grow
# with opened_at, as they do in production, where cases are inserted as reviews arrive.
GENERATE = """
SELECT setseed(0.08);
CREATE TEMP TABLE plan AS
SELECT g AS id, opened, topic, kind, lang, channel, staff_only, contacted, replied, depth, outcome, handoff,
       fc, fr, remedy, amount, currency, r_staff,
       CASE WHEN outcome IS NULL THEN NULL
            ELSE LEAST(COALESCE(fr, opened) + (depth + 2) * interval '9 hours', opened + interval '21 days')
       END AS closed
FROM (
  SELECT *, opened + CASE WHEN kind = 'impulsive' AND r_delay < 0.4 THEN interval '4 hours' ELSE interval '0' END
                   + r_fc * interval '5 minutes' AS fc0
  FROM (
    SELECT g,
      timestamptz '2026-01-01 00:00+00' + (g - 1) * (interval '365 days' / :n) AS opened,
      (ARRAY['delivery','delivery','delivery','product','product','product','service','billing','website',
             'returns','other'])[1 + floor(random() * 11)::int] AS topic,
      CASE WHEN r_kind < 0.70 THEN 'constructive' WHEN r_kind < 0.92 THEN 'impulsive'
           WHEN r_kind < 0.97 THEN 'troll' ELSE 'black_pr' END AS kind,
      (ARRAY['en','pl','de','sv','ru','sq','uk','cs','fr'])[1 + floor(random() * 9)::int] AS lang,
      (ARRAY['webchat','webchat','webchat','sms','telegram'])[1 + floor(random() * 5)::int] AS channel,
      random() AS r_delay, random() AS r_fc, random() AS r_reply, random() AS r_path, random() AS r_out,
      random() AS r_hand, random() AS r_staff, random() AS r_fr,
      (ARRAY['replacement','refund_full','coupon','refund_shipping'])[1 + floor(random() * 4)::int] AS remedy,
      (ARRAY['EUR','PLN','SEK'])[1 + floor(random() * 3)::int] AS currency,
      r_kind
    FROM (SELECT g, random() AS r_kind FROM generate_series(1, :n) g) s
  ) a
) b,
LATERAL (SELECT kind IN ('troll', 'black_pr') AS staff_only) so,
LATERAL (SELECT NOT staff_only AS contacted, NOT staff_only AND r_reply < 0.75 AS replied) c,
LATERAL (SELECT CASE WHEN staff_only THEN 0 WHEN NOT replied THEN 1 WHEN r_path < 0.7 THEN 6 ELSE 3 END AS depth) d,
LATERAL (SELECT
  CASE WHEN staff_only THEN CASE WHEN r_out < 0.8 THEN 'not_contacted' END
       WHEN NOT replied THEN CASE WHEN r_out < 0.8 THEN 'no_response' END
       WHEN depth = 6 THEN CASE WHEN r_out < 0.62 THEN 'resolved_revised' WHEN r_out < 0.95 THEN 'resolved_kept' END
       ELSE CASE WHEN r_out < 0.33 THEN 'opted_out' WHEN r_out < 0.66 THEN 'unresolved'
                 WHEN r_out < 0.8 THEN 'expired' END END AS outcome,
  staff_only OR (replied AND r_hand < 0.15) AS handoff,
  CASE WHEN contacted THEN fc0 END AS fc,
  CASE WHEN replied THEN fc0 + r_fr * interval '2 days' END AS fr,
  CASE WHEN r_fr < 0.5 THEN '89.00' WHEN r_fr < 0.8 THEN '9.90' END AS amount) o;

INSERT INTO reviews (id, shop_id, platform, external_id, rating, text, created_at, received_at, language, topic,
                     kind, severity, triage)
SELECT id, 'bench', 'bench', 'b-' || id, 1 + id % 3, 'bench review', opened, opened, lang, topic, kind, 'medium',
       '{}'::json
FROM plan;

INSERT INTO cases (id, shop_id, review_id, stage, outcome, topic, kind, severity, language, contact_mode, opened_at,
                   deadline_at, first_contact_at, first_reply_at, closed_at, updated_at, handoff_reason, details)
SELECT id, 'bench', id,
       CASE WHEN outcome IS NOT NULL THEN 'closed' WHEN staff_only THEN 'awaiting_staff'
            ELSE (ARRAY['opened','contacted','gathering','proposing','resolving','follow_up',
                        'revision_asked'])[depth + 1]
       END,
       outcome, topic, kind, 'medium', lang, CASE WHEN staff_only THEN 'none' ELSE 'now' END, opened,
       opened + interval '21 days', fc, fr, closed, COALESCE(closed, opened),
       CASE WHEN staff_only THEN 'suspected_' || kind WHEN handoff THEN 'buyer_asked' END,
       CASE WHEN NOT contacted THEN '{}'::json
            ELSE json_build_object(
              'problems', json_build_array((ARRAY['late','damaged','lost_in_transit','defect','wrong_item',
                                                  'charged_twice'])[1 + (id * 7) % 6]),
              'item', 'Item ' || lpad(((id * 13) % 40)::text, 2, '0'),
              'accepted_remedy', CASE WHEN depth = 6 THEN json_build_object(
                  'type', remedy, 'amount', CASE WHEN remedy = 'replacement' THEN NULL ELSE amount END,
                  'currency', currency) END) END
FROM plan;

INSERT INTO events (shop_id, case_id, type, from_stage, to_stage, data, at)
SELECT 'bench', p.id, CASE WHEN i = 1 THEN 'case_opened' ELSE 'bench_step' END,
       (ARRAY['opened','contacted','gathering','proposing','resolving','follow_up','revision_asked'])[i - 1],
       CASE WHEN p.staff_only THEN 'awaiting_staff'
            ELSE (ARRAY['opened','contacted','gathering','proposing','resolving','follow_up','revision_asked'])[i] END,
       '{}'::json, COALESCE(p.fr, p.opened) + (i - 1) * interval '9 hours'
FROM plan p, generate_series(1, p.depth + 1) i;

INSERT INTO events (shop_id, case_id, type, from_stage, to_stage, data, at)
SELECT 'bench', id, 'handoff', NULL, 'handoff', '{"team": "service"}'::json, COALESCE(fr, opened)
FROM plan WHERE handoff
UNION ALL
SELECT 'bench', id, 'closed', NULL, 'closed', json_build_object('outcome', outcome), closed FROM plan
WHERE outcome IS NOT NULL;

INSERT INTO messages (shop_id, case_id, direction, role, channel, text, action, language, status, meta, created_at)
SELECT 'bench', p.id, 'out', 'bot', p.channel, '…', 'bench', p.lang, 'sent', '{}'::json,
       p.fc + (i - 2) * interval '9 hours'
FROM plan p, generate_series(2, p.depth + 1) i
UNION ALL
SELECT 'bench', id, 'in', 'buyer', channel, '…', NULL, lang, 'received', '{}'::json, fr FROM plan WHERE replied
UNION ALL
SELECT 'bench', id, 'out', 'staff', channel, '…', 'staff_message', lang, 'sent', '{}'::json,
       COALESCE(fr, opened) + r_staff * interval '10 hours'
FROM plan WHERE handoff AND r_staff < 0.7;
"""


def load(url: str, n: int) -> None:
    started = time.perf_counter()
    dsn = url.replace("postgresql+psycopg://", "postgresql://").replace("postgresql+asyncpg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "INSERT INTO shops (id, shop_id, name, api_key_hash, created_at) VALUES (%s, %s, %s, %s, now())",
            (SHOP, SHOP, "Bench shop", "bench-not-a-key"),
        )
        for statement in GENERATE.split(";\n"):
            if statement.strip():
                conn.execute(statement.replace(":n", str(int(n))))
        conn.commit()
        loaded = time.perf_counter() - started
        conn.autocommit = True
        for table in ("reviews", "cases", "events", "messages"):
            conn.execute(f"VACUUM ANALYZE {table}")
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("cases", "events", "messages")}
    print(
        f"generated {counts['cases']:,} cases, {counts['events']:,} events, {counts['messages']:,} messages "
        f"in PostgreSQL in {loaded:.1f} s; vacuum analyse {time.perf_counter() - started - loaded:.1f} s"
    )


async def time_reports(url: str, runs: int, slices: list[str | None]) -> None:
    routes = yaml.safe_load((ROOT / "policies" / "routing.yml").read_text())["routes"]
    engine = make_engine(url, ROOT)
    sessions = make_sessionmaker(engine)
    period = parse_period("2026-Q3")
    as_of = datetime(2026, 11, 23, tzinfo=UTC)
    try:
        for slice_name in slices:
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                async with sessions() as session:
                    report = await build_report(session, SHOP, period, slice_name, routes=routes, as_of=as_of)
                times.append(time.perf_counter() - started)
            opened = report["totals"]["cases_opened"]
            print(
                f"report 2026-Q3 slice={slice_name or 'none':9s} cases={opened:,}  median {median(times):.2f} s  "
                f"p99 {percentile(times, 99):.2f} s  runs {runs}"
            )
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/mediator_report_bench")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--slices", default="none," + ",".join(SLICES))
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database; only time the reports")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("this benchmark needs PostgreSQL (COPY); give --database-url postgresql://…")
    if args.reuse:
        upgrade_sync(async_url(args.database_url))
    else:
        url = scratch_database(args.database_url)
        upgrade_sync(async_url(url))
        load(url, args.cases)
    slices = [None if s == "none" else s for s in args.slices.split(",") if s]
    asyncio.run(time_reports(args.database_url, args.runs, slices))
    print(f"peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
