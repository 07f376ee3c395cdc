// "31% of customers": a segment's size as a share of the shop's customers. Below 1% it says so
// ("<1%") rather than rounding a real segment down to nothing.
export function shareOfCustomers(members: number, customers: number): string {
  if (customers <= 0) return "—";
  const share = (members / customers) * 100;
  if (members > 0 && share < 1) return "<1%";
  return `${Math.round(share)}%`;
}
