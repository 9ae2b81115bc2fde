import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../lib/theme.css';
import './listener.css';
import { ListenerApp } from './listener-app.tsx';
import { spaceIdFromPath } from './space-link.ts';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ListenerApp spaceId={spaceIdFromPath(window.location.pathname)} serverUrl={window.location.origin} />
  </StrictMode>,
);
