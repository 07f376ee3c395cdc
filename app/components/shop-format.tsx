// The shop's time zone and currency for every admin page: the app's layout loader reads them once and
// provides them here, so a page formats dates and money in the shop's terms without asking its own
// loader (app/components/format.ts does the formatting).
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { formatCount, formatDate, formatDateTime, formatDay, formatMoney, formatWholeMoney } from "./format";

export type ShopFormat = { timeZone: string; currencyCode: string };

const Context = createContext<ShopFormat>({ timeZone: "UTC", currencyCode: "USD" });

export function ShopFormatProvider({ value, children }: { value: ShopFormat; children: ReactNode }) {
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useShopFormat() {
  const { timeZone, currencyCode } = useContext(Context);
  return useMemo(
    () => ({
      timeZone,
      currencyCode,
      date: (iso: string) => formatDate(iso, timeZone),
      dateTime: (iso: string) => formatDateTime(iso, timeZone),
      day: formatDay,
      money: (minor: bigint | string | number) => formatMoney(minor, currencyCode),
      wholeMoney: (amount: number) => formatWholeMoney(amount, currencyCode),
      count: formatCount,
    }),
    [timeZone, currencyCode],
  );
}
