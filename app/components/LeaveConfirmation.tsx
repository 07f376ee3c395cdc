// Unsaved edits are not lost without asking. Inside the app a navigation to another page is held by
// Remix's blocker and the merchant is asked in a Polaris Modal (stay, or leave and discard); a reload,
// a closed tab or a typed address gets the browser's own question (beforeunload). Inside Shopify
// admin the App Bridge SaveBar stands for the edits as well; this covers the app's own links there too.
import { useBeforeUnload, useBlocker } from "@remix-run/react";
import { Modal, Text } from "@shopify/polaris";
import { useCallback } from "react";

/**
 * The state a page's own move passes (after a save, after deleting what was being edited):
 * `navigate(to, { state: LEAVE_WITHOUT_ASKING })` is not a merchant leaving their edits.
 */
export const LEAVE_WITHOUT_ASKING = { leaveWithoutAsking: true } as const;

const isOwnMove = (state: unknown) =>
  typeof state === "object" && state !== null && (state as Record<string, unknown>).leaveWithoutAsking === true;

export function useLeaveConfirmation(dirty: boolean) {
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      dirty && !isOwnMove(nextLocation.state) && currentLocation.pathname !== nextLocation.pathname,
  );
  useBeforeUnload(
    useCallback(
      (event: BeforeUnloadEvent) => {
        if (!dirty) return;
        event.preventDefault();
        event.returnValue = "";
      },
      [dirty],
    ),
  );
  const modal = (
    <Modal
      open={blocker.state === "blocked"}
      onClose={() => blocker.reset?.()}
      title="Leave page with unsaved changes?"
      primaryAction={{ content: "Leave page", destructive: true, onAction: () => blocker.proceed?.() }}
      secondaryActions={[{ content: "Stay", onAction: () => blocker.reset?.() }]}
    >
      <Modal.Section>
        <Text as="p">Leaving this page discards the changes you have not saved.</Text>
      </Modal.Section>
    </Modal>
  );
  return { modal };
}
