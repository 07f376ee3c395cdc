// "Saved" and "Deleted" messages. Inside Shopify admin they are App Bridge toasts (the admin draws
// them); in demo mode there is no App Bridge, so Polaris draws them in its Frame. Pages call
// `useToast()` and never know which.
import { useAppBridge } from "@shopify/app-bridge-react";
import { Frame, Toast } from "@shopify/polaris";
import { createContext, useCallback, useContext, useState, type ReactNode } from "react";

export type ShowToast = (message: string, options?: { isError?: boolean }) => void;

const ToastContext = createContext<ShowToast>(() => undefined);

export function useToast(): ShowToast {
  return useContext(ToastContext);
}

export function AppBridgeToasts({ children }: { children: ReactNode }) {
  const shopify = useAppBridge();
  const show = useCallback<ShowToast>(
    (message, options) => void shopify.toast.show(message, { isError: options?.isError }),
    [shopify],
  );
  return <ToastContext.Provider value={show}>{children}</ToastContext.Provider>;
}

export function PolarisToasts({ children }: { children: ReactNode }) {
  const [toast, setToast] = useState<{ message: string; isError: boolean; key: number } | null>(null);
  const show = useCallback<ShowToast>(
    (message, options) => setToast((t) => ({ message, isError: options?.isError ?? false, key: (t?.key ?? 0) + 1 })),
    [],
  );
  return (
    <ToastContext.Provider value={show}>
      <Frame>
        {children}
        {toast ? (
          <Toast key={toast.key} content={toast.message} error={toast.isError} onDismiss={() => setToast(null)} />
        ) : null}
      </Frame>
    </ToastContext.Provider>
  );
}
