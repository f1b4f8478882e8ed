/** The issuer of the Firebase definition the local-development suites repoint at a dev key server. */
export const FIREBASE = 'https://securetoken.google.com/my-project';

/** A Firebase definition as a team's spec has it: keys at Google's URL, never reached by these suites. */
export const FIREBASE_DEFINITION = {
  type: 'oauth2',
  flow: 'implicit',
  authorizationUrl: '',
  'x-google-issuer': FIREBASE,
  'x-google-jwks_uri': 'https://www.googleapis.com/service_accounts/v1/metadata/x509/securetoken@system.gserviceaccount.com',
  'x-google-audiences': 'my-project',
};
