const COLORS = ['#e50914', '#2f80ed', '#27ae60', '#f2c94c', '#9b51e0', '#eb5757', '#56ccf2'];

/** A coloured initial: deterministic per name, so a profile keeps its colour everywhere. */
export function Avatar({
  name,
  kids,
  editing,
  small,
}: {
  name: string;
  kids?: boolean;
  editing?: boolean;
  small?: boolean;
}) {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const color = kids ? '#ff9f1c' : COLORS[h % COLORS.length];
  return (
    <span className={small ? 'avatar small' : 'avatar'} style={{ background: color }} aria-hidden="true">
      {name.slice(0, 1).toUpperCase()}
      {editing && <span className="avatar-edit">✎</span>}
    </span>
  );
}
