// Plain-text tables: a header row and left-aligned columns, two spaces apart.

/**
 * Lays out rows under headers, each column as wide as its widest cell. The last column is not
 * padded, so lines carry no trailing spaces.
 *
 * @example
 * ```ts
 * formatTable(['ID', 'PERCENT'], [['orders', '25%']]);
 * // "ID      PERCENT\norders  25%"
 * ```
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Lines of `label: value`, the values aligned; pairs without a value are left out. */
export function formatFields(fields: readonly (readonly [string, string | undefined])[]): string {
  const shown = fields.filter((field): field is readonly [string, string] => field[1] !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => label.length + 1));
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${value}`).join('\n');
}
