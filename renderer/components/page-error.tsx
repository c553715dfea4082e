import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { errorText } from '../i18n';

/**
 * Why a page could not load what it shows (the card list, the keystore), under the common error
 * title and in the words errorText finds for its code; nothing while there is no error. One
 * component so every page says it the same way.
 */
export function PageError({ error }: { readonly error: unknown }) {
  const { t } = useTranslation();
  if (error === null || error === undefined) return null;
  return (
    <MessageBar intent="error">
      <MessageBarBody>
        <MessageBarTitle>{t('errors.title')}</MessageBarTitle>
        {errorText(t, error)}
      </MessageBarBody>
    </MessageBar>
  );
}
