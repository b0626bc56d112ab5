//! The route table: every path, method and handler of the application in one place, and the same
//! table as data ([`ROUTES`]) so that tests can walk every route (e.g. check that every POST
//! refuses a form without its CSRF token).

use actix_web::middleware::from_fn;
use actix_web::web;

use super::{admin, board, brake_link_guessing, pages, respondent, staff};
use crate::accounts::Role;

/// Builds both [`routes`] and [`ROUTES`] from one list: plain routes, then scopes with their
/// middleware. A route added here is registered and listed; there is no second list to forget.
macro_rules! route_table {
    (
        plain { $( $plain_method:ident $plain_path:literal => $plain_handler:path, )* }
        $( scope $scope:literal wrap $wrap:expr => { $( $method:ident $path:literal => $handler:path, )* } )*
    ) => {
        /// Registers every route (and the friendly 404 for anything else).
        pub fn routes(cfg: &mut web::ServiceConfig) {
            $( cfg.route($plain_path, web::$plain_method().to($plain_handler)); )*
            $(
                cfg.service(
                    web::scope($scope)
                        .wrap($wrap)
                        $( .route($path, web::$method().to($handler)) )*
                );
            )*
            cfg.configure(super::api::routes);
            cfg.default_service(web::to(pages::show_not_found));
        }

        /// Every route as (method, full path pattern), in registration order.
        pub const ROUTES: &[(&str, &str)] = &[
            $( (stringify!($plain_method), $plain_path), )*
            $( $( (stringify!($method), concat!($scope, $path)), )* )*
        ];
    };
}

route_table! {
    plain {
        get "/" => staff::login::show_start,
        get "/healthz" => pages::show_health,
        get "/static/style.css" => pages::show_stylesheet,
        get "/datenschutz" => pages::show_privacy,
        get "/barrierefreiheit" => pages::show_accessibility,
        get "/o/{wave}" => respondent::open_link::show_open,
        post "/o/{wave}" => respondent::open_link::submit_open,
        post "/o/{wave}/weiterlink" => respondent::open_link::continue_link,
        get "/o/{wave}/weiter/{token}" => respondent::open_link::resume,
        get "/test/{wave}/{token}" => respondent::test_link::show_test,
        post "/test/{wave}/{token}" => respondent::test_link::submit_test,
        get "/login" => staff::login::show_login,
        post "/login" => staff::login::submit_login,
        post "/logout" => staff::login::submit_logout,
        get "/passwort-vergessen" => staff::password::show_forgot,
        post "/passwort-vergessen" => staff::password::submit_forgot,
        get "/passwort/{token}" => staff::password::show_password,
        post "/passwort/{token}" => staff::password::submit_password,
    }
    scope "/t" wrap from_fn(brake_link_guessing) => {
        get "/{token}" => respondent::questionnaire::show_questionnaire,
        post "/{token}" => respondent::questionnaire::submit_page,
        get "/{token}/optout" => respondent::show_optout,
        post "/{token}/optout" => respondent::record_optout,
    }
    scope "/admin" wrap from_fn(|request, next| staff::require_staff(&[Role::Admin], request, next)) => {
        get "" => admin::show_overview,
        get "/" => admin::show_overview,
        get "/wellen/neu" => admin::waves::show_new_wave,
        post "/wellen/neu" => admin::waves::create_wave,
        get "/wellen/{wave}" => admin::waves::show_wave,
        post "/wellen/{wave}/teilnehmende" => admin::participants::upload_participants,
        get "/wellen/{wave}/teilnehmende.csv" => admin::participant_list::export_participants,
        post "/wellen/{wave}/teilnehmende/{id}/{change}" => admin::participants::change_participant,
        get "/wellen/{wave}/einladungen" => admin::mailing::show_mailing,
        post "/wellen/{wave}/einladungen" => admin::mailing::start_mailing,
        get "/wellen/{wave}/erinnerungen" => admin::mailing::show_mailing,
        post "/wellen/{wave}/erinnerungen" => admin::mailing::start_mailing,
        get "/wellen/{wave}/einstellungen" => admin::settings::show_settings,
        post "/wellen/{wave}/einstellungen" => admin::settings::save_settings,
        post "/wellen/{wave}/zeitplan" => admin::schedule::save_schedule,
        post "/wellen/{wave}/status/{change}" => admin::waves::set_wave_state,
        post "/wellen/{wave}/testantworten" => admin::waves::delete_test_responses,
        get "/umfragen" => admin::surveys::show_surveys,
        post "/umfragen" => admin::surveys::upload_survey,
        get "/umfragen/{survey}/{version}" => admin::surveys::show_preview,
        get "/konten" => admin::accounts::show_accounts,
        post "/konten" => admin::accounts::add_account,
        post "/konten/rolle" => admin::accounts::change_role,
        post "/konten/schluessel" => admin::accounts::create_api_key,
        post "/konten/schluessel/{id}/widerrufen" => admin::accounts::revoke_api_key,
        post "/konten/{id}/{change}" => admin::accounts::set_disabled,
        get "/protokoll" => admin::audit::show_audit,
        get "/protokoll.csv" => admin::audit::export_audit,
    }
    scope "/board" wrap from_fn(|request, next| {
        staff::require_staff(&[Role::Admin, Role::Board, Role::Coordinator], request, next)
    }) => {
        get "/land" => board::land::show_land_status,
        get "/api" => super::api::openapi::show_docs,
        get "/ruecklauf/{wave}" => board::progress::show_progress,
        get "/ruecklauf/{wave}/verlauf.svg" => board::progress::show_chart,
        get "" => board::show_board,
        get "/" => board::show_board,
        get "/waves/{wave}" => board::redirect_to_folder,
        get "/waves/{wave}/vergleich/{other}" => board::redirect_to_folder,
        get "/waves/{wave}/vergleich/{other}/{file:.*}" => board::show_comparison_file,
        get "/waves/{wave}/verlauf" => board::redirect_to_folder,
        get "/waves/{wave}/verlauf/{file:.*}" => board::show_trend_file,
        get "/waves/{wave}/{file:.*}" => board::show_report_file,
    }
}

#[cfg(test)]
mod tests {
    use super::ROUTES;

    #[test]
    fn the_route_list_holds_every_scope_with_full_paths() {
        assert!(ROUTES.contains(&("post", "/admin/wellen/neu")));
        assert!(ROUTES.contains(&("post", "/t/{token}/optout")));
        assert!(ROUTES.contains(&("get", "/board/land")));
        assert!(ROUTES.iter().all(|(_, path)| path.starts_with('/')));
    }
}
