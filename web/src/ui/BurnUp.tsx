/** A burn-up chart as inline SVG: actual so far against the pace line, working days across. */
import type { Progress } from "../api/types";
import { t } from "../i18n";

export function BurnUp({ title, progress, total, elapsed, format }: { title: string; progress: Progress; total: number; elapsed: number; format: (n: number) => string }) {
  const W = 320;
  const H = 160;
  const pad = { l: 44, r: 10, t: 10, b: 24 };
  const top = Math.max(progress.target, progress.projected, progress.actual, 1);
  const x = (day: number) => pad.l + (day / Math.max(total, 1)) * (W - pad.l - pad.r);
  const y = (v: number) => H - pad.b - (v / top) * (H - pad.t - pad.b);
  const ticks = Array.from({ length: total + 1 }, (_, i) => i).filter((i) => total <= 12 || i % 5 === 0 || i === total);
  return (
    <figure class="burnup">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${t("month.actual")} ${format(progress.actual)}, ${t("month.target")} ${format(progress.target)}, ${t("month.projected")} ${format(progress.projected)}`}>
        <line class="axis" x1={pad.l} y1={H - pad.b} x2={W - pad.r} y2={H - pad.b} />
        <line class="axis" x1={pad.l} y1={pad.t} x2={pad.l} y2={H - pad.b} />
        {ticks.map((d) => (
          <g key={d}>
            <line class="tick" x1={x(d)} y1={H - pad.b} x2={x(d)} y2={H - pad.b + 4} />
            <text class="label" x={x(d)} y={H - 6} text-anchor="middle">
              {d}
            </text>
          </g>
        ))}
        <text class="label" x={pad.l - 4} y={y(top) + 4} text-anchor="end">
          {format(top)}
        </text>
        <text class="label" x={pad.l - 4} y={H - pad.b} text-anchor="end">
          0
        </text>
        {progress.target > 0 && <line class="pace" x1={x(0)} y1={y(0)} x2={x(total)} y2={y(progress.target)} />}
        <line class="projection" x1={x(elapsed)} y1={y(progress.actual)} x2={x(total)} y2={y(progress.projected)} />
        <polyline class="actual" points={`${x(0)},${y(0)} ${x(elapsed)},${y(progress.actual)}`} />
        <circle class="actual-dot" cx={x(elapsed)} cy={y(progress.actual)} r="4" />
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}
