/**
 * CRM_alert_timestamp as Pacemaker formats it: strftime conversions in local
 * time, plus %<n>N for the first n (at most 6) digits of the microseconds.
 * Supported: %Y %y %m %d %e %H %I %M %S %p %j %a %A %b %B %z %Z %s %F %T %D %n %t %%
 * and %N; any other conversion is copied as written.
 */
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

function pad(n: number, width = 2, fill = "0"): string {
  return String(n).padStart(width, fill);
}

function offset(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  return `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}${pad(Math.abs(minutes) % 60)}`;
}

function dayOfYear(d: Date): number {
  return Math.floor((Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) - Date.UTC(d.getFullYear(), 0, 1)) / 86_400_000) + 1;
}

function conversion(letter: string, d: Date, epochMs: number): string | undefined {
  const hours12 = d.getHours() % 12 || 12;
  const table: Record<string, () => string> = {
    Y: () => String(d.getFullYear()),
    y: () => pad(d.getFullYear() % 100),
    m: () => pad(d.getMonth() + 1),
    d: () => pad(d.getDate()),
    e: () => pad(d.getDate(), 2, " "),
    H: () => pad(d.getHours()),
    I: () => pad(hours12),
    M: () => pad(d.getMinutes()),
    S: () => pad(d.getSeconds()),
    p: () => (d.getHours() < 12 ? "AM" : "PM"),
    j: () => pad(dayOfYear(d), 3),
    a: () => DAYS[d.getDay()]!.slice(0, 3),
    A: () => DAYS[d.getDay()]!,
    b: () => MONTHS[d.getMonth()]!.slice(0, 3),
    B: () => MONTHS[d.getMonth()]!,
    z: () => offset(d),
    Z: () => Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(d).find((p) => p.type === "timeZoneName")?.value ?? "",
    s: () => String(Math.floor(epochMs / 1000)),
    F: () => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    T: () => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
    D: () => `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${pad(d.getFullYear() % 100)}`,
    n: () => "\n",
    t: () => "\t",
    "%": () => "%",
  };
  return table[letter]?.();
}

export function formatAlertTimestamp(epochMs: number, format: string): string {
  const d = new Date(epochMs);
  const micros = pad(Math.floor(epochMs % 1000) * 1000, 6);
  return format.replace(/%(\d*)([A-Za-z%])/g, (whole, digits: string, letter: string) => {
    if (letter === "N") return micros.slice(0, Math.min(6, digits === "" ? 6 : Number(digits)));
    return conversion(letter, d, epochMs) ?? whole;
  });
}
