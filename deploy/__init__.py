"""Running Vetted in production: gunicorn's config, nginx's template and the fleet (nginx in
front of app servers on one machine); deploy/README.md tells the story."""
